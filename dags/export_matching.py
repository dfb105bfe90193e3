"""
### export_matching

Writes the scheduled matching exports for the as-of date the marts were built for:
per street, the graduate employment-assistance list (full ID numbers: an authorised export,
files 0600), the red/orange facade work list, the shop inspection work list and the red/grey
shops of 汇商码, as CSV and xlsx with Chinese headers, plus
`manifest.json`. Runs weekly (Monday 06:00 Shanghai) and whenever the `marts` Asset is
updated. Every file is audited in `ops.exports`.
"""

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

from cityops.assets import EXPORTS, MARTS
from cityops.dag_defaults import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="export_matching",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 * * 1", timezone="Asia/Shanghai"), assets=MARTS
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["cityops", "exports"],
    params={
        "as_of": Param(
            None, type=["null", "string"], description="YYYY-MM-DD (default: the marts' as-of)"
        )
    },
)
def export_matching():
    @task(outlets=[EXPORTS])
    def write_street_exports(params=None, outlet_events=None) -> dict:
        from cityops.airflow_env import warehouse_url_from_connection
        from cityops.exports import NoMartsYet, write_exports
        from cityops.settings import get_settings

        try:
            result = write_exports(
                warehouse_url_from_connection(), get_settings().exports, (params or {}).get("as_of")
            )
        except NoMartsYet as exc:  # a weekly run on a warehouse that has never been transformed
            raise AirflowSkipException(str(exc)) from exc
        from cityops.lineage import export_lineage, record

        record(
            "export_matching",
            *export_lineage(
                warehouse_url_from_connection(), result.root, (str(f["file"]) for f in result.files)
            ),
        )
        summary = {
            "as_of": result.as_of,
            "folder": str(result.root),
            "graduates": result.rows("graduate_assistance"),
            "facades": result.rows("facade_risk"),
            "shop_worklist": result.rows("shop_worklist"),
            "shop_codes": result.rows("shop_codes"),
            "files": len(result.files),
        }
        outlet_events[EXPORTS].extra = summary
        return summary

    write_street_exports()


export_matching()
