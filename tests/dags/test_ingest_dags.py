"""Ingest DAGs run for real through dag.test(): assets, refusals, reruns."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from cityops.airflow_env import DagRunFailed, run_dag

pytestmark = pytest.mark.integration


def test_ingest_dag_loads_publishes_and_reruns_idempotently(
    airflow_db, warehouse_url, tiny_city, tmp_path
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(tiny_city / "landing" / "employment", landing / "employment")
    run = run_dag("ingest_employment", {"landing": str(landing)})
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {
        "load_new_deliveries": "success",
        "publish": "success",
        "report_refusals": "success",
    }
    with psycopg.connect(warehouse_url) as conn:
        loaded = conn.execute("select count(*) from raw.employment__contributions").fetchone()[0]
    assert loaded > 0
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == run.run_id).all()
        assert events and events[0].extra["rows_loaded"] == loaded

    again = run_dag("ingest_employment", {"landing": str(landing)})
    states = {ti.task_id: str(ti.state) for ti in again.get_task_instances()}
    assert states["publish"] == "skipped", "nothing new: no asset event"
    with psycopg.connect(warehouse_url) as conn:
        assert (
            conn.execute("select count(*) from raw.employment__contributions").fetchone()[0]
            == loaded
        )


def test_ingest_dag_fails_with_the_refusal_and_keeps_good_files(
    airflow_db, warehouse_url, tmp_path
) -> None:
    landing = tmp_path / "landing"
    good = landing / "education" / "2026-03-01" / "graduates_2026.csv"
    bad = landing / "education" / "2026-03-02" / "graduates_2027.csv"
    header = "学号,姓名,身份证号,出生日期,性别,学校,学历,专业,预计毕业日期,生源地"
    for path, head, row in (
        (
            good,
            header,
            "S1,张三,310104200401011234,2004-01-01,男,复旦大学,本科,法学,2026-06-30,徐汇区",
        ),
        # no 学校 column: a file fault, the file is refused whole
        (
            bad,
            header.replace("学校,", ""),
            "S2,李四,310104200401011234,2004-02-01,女,本科,法学,2027-06-30,徐汇区",
        ),
    ):
        path.parent.mkdir(parents=True)
        path.write_text(f"{head}\n{row}\n", encoding="utf-8-sig")
    with pytest.raises(DagRunFailed) as failure:
        run_dag("ingest_education", {"landing": str(landing)})
    assert failure.value.failed_tasks == ["report_refusals"]
    with psycopg.connect(warehouse_url) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "select name from raw.education__graduates where _source_file like %s",
                (f"{landing}%",),
            ).fetchall()
        ]
    assert names == ["张三"]
    assert not bad.exists()
