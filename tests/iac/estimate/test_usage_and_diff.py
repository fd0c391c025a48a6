from decimal import Decimal

from iac.estimate import estimate, load_usage_file, read_plan
from tests.iac.estimate.conftest import aws_region, change, plan


def _plan(*changes):
    return read_plan(plan(*changes, provider_config=aws_region("us-east-1")))


def test_usage_based_without_usage_keeps_unit_price(catalogs):
    result = estimate(_plan(change("aws_s3_bucket.logs", {})), catalogs=catalogs).to_dict()
    storage = result["projects"][0]["breakdown"]["resources"][0]["costComponents"][0]
    assert storage["price"] == "0.023" and storage["monthlyQuantity"] is None
    assert storage["monthlyCost"] is None and "standard.storage_gb" in storage["note"]
    assert result["summary"]["totalUsageBasedResources"] == 1
    assert result["totalMonthlyCost"] == "0"


def test_usage_file_with_wildcard(tmp_path, catalogs):
    """1,000 GB x 0.023 + 100k PUT x 0.005/1k + 1M GET x 0.0004/1k = 23 + 0.5 + 0.4."""
    usage = tmp_path / "infracost-usage.yml"
    usage.write_text(
        "version: 0.1\nresource_usage:\n"
        "  aws_s3_bucket.logs[*]:\n    standard:\n      storage_gb: 1000\n"
        "      monthly_tier_1_requests: 100000\n      monthly_tier_2_requests: 1000000\n"
        "  aws_nat_gateway.n:\n    monthly_data_processed_gb: 100\n"
    )
    project = _plan(
        change("aws_s3_bucket.logs[0]", {}),
        change("aws_s3_bucket.logs[1]", {}),
        change("aws_nat_gateway.n", {}),
    )
    result = estimate(project, catalogs=catalogs, usage=load_usage_file(usage)).to_dict()
    costs = {r["name"]: r["monthlyCost"] for r in result["projects"][0]["breakdown"]["resources"]}
    assert costs["aws_s3_bucket.logs[0]"] == costs["aws_s3_bucket.logs[1]"] == "23.9"
    assert costs["aws_nat_gateway.n"] == "37.35"  # 0.045 x 730 + 100 x 0.045


def test_diff_against_previous_estimate(catalogs):
    before = estimate(
        _plan(change("aws_instance.a", {"instance_type": "t3.micro"}), change("aws_eip.old", {})),
        catalogs=catalogs,
    ).to_dict()
    after = estimate(
        _plan(
            change("aws_instance.a", {"instance_type": "t3.small"}),
            change("aws_eks_cluster.new", {}),
        ),
        catalogs=catalogs,
        previous=before,
    ).to_dict()
    # before: 7.592 + 0.8 + 3.65 = 12.042; after: 15.184 + 0.8 + 73 = 88.984
    assert after["pastTotalMonthlyCost"] == "12.042"
    assert after["totalMonthlyCost"] == "88.984"
    assert after["diffTotalMonthlyCost"] == "76.942"
    diff = {d["name"]: d for d in after["projects"][0]["diff"]["resources"]}
    assert (
        diff["aws_instance.a"]["change"] == "changed"
        and diff["aws_instance.a"]["diffMonthlyCost"] == "7.592"
    )
    assert (
        diff["aws_eip.old"]["change"] == "removed"
        and diff["aws_eip.old"]["diffMonthlyCost"] == "-3.65"
    )
    assert diff["aws_eks_cluster.new"]["change"] == "added"
    assert Decimal(after["diffTotalHourlyCost"]) == Decimal("76.942") / 730
    text = estimate(
        _plan(change("aws_eks_cluster.new", {})), catalogs=catalogs, previous=before
    ).to_text()
    assert "Change against the previous estimate: +60.96 USD/month" in text


def test_text_table(catalogs, carbon):
    text = estimate(
        _plan(
            change("aws_instance.a", {"instance_type": "m5.large"}), change("aws_sqs_queue.q", {})
        ),
        catalogs=catalogs,
        carbon=carbon,
    ).to_text()
    assert "Instance usage (Linux/UNIX, on-demand, m5.large)" in text
    assert "70.08" in text  # 0.096 x 730
    assert "unsupported aws_sqs_queue.q" in text
    assert "kgCO2e/month" in text
