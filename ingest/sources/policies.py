"""政策通: the policy catalogue (政策发布), JSON documents; revisions re-sent under the same id."""

from cityops.policy_rules import conditions_schema

from ..spec import (
    Column,
    EntitySpec,
    SourceSpec,
    matches_json_schema,
    one_of,
    parses,
    pattern,
    required,
)

SPEC = SourceSpec(
    name="policies",
    department="政策通 (business-support policy service)",
    description="Business-support policies with their conditions as data: each version is "
    "checked on arrival, and a revision replaces the earlier version from its valid_from.",
    expected_every_days=100,
    stale_after_days=200,
    entities=(
        EntitySpec(
            name="policies",
            file_pattern=r"policies_\d{8}\.json",
            reader="json",
            json_path="policies",
            mode="increment",
            business_key=("policy_id", "published_on"),
            # A catalogue is a few dozen hand-written policies a file: one with a condition
            # the contract forbids is rejected alone and the rest load. The file is refused
            # only when a quarter of its policies are broken (a faulty export, not a slip).
            max_reject_share=0.25,
            columns=(
                Column("policy_id", "policy_id", checks=(required(),)),
                Column("title", "title", checks=(required(),)),
                Column("issuer", "issuer", checks=(required(),)),
                Column("level", "level", "enum", checks=(required(), one_of("市", "区", "街道"))),
                Column("district", "district", required=False, description="null for 市 level"),
                Column(
                    "published_on",
                    "published_on",
                    "date",
                    checks=(required(), parses("YYYY-MM-DD")),
                ),
                Column(
                    "valid_from", "valid_from", "date", checks=(required(), parses("YYYY-MM-DD"))
                ),
                Column(
                    "valid_until",
                    "valid_until",
                    "date",
                    required=False,
                    description="null: open-ended",
                    checks=(parses("YYYY-MM-DD"),),
                ),
                Column("mode", "mode", "enum", checks=(required(), one_of("免申即享", "申报"))),
                Column(
                    "benefit",
                    "benefit",
                    description="{kind, amount_wan, rule}",
                    checks=(pattern(r"^\{.*\}$", why="benefit must be a JSON object"),),
                ),
                Column(
                    "conditions",
                    "conditions",
                    description="a list of {field, op, value}: fields and operators of "
                    "cityops.policy_rules.FIELDS, values of the field's type",
                    checks=(
                        required(),
                        matches_json_schema(
                            conditions_schema(),
                            why="a policy with an unknown field or operator, or a value of "
                            "the wrong type, is rejected; the rest of the catalogue loads",
                        ),
                    ),
                ),
                Column("text_url", "text_url", required=False),
            ),
        ),
    ),
)
