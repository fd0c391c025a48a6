import re

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from iac.importers import IMPORTERS, AwsImporter, ImporterError, ImportFilter, run_import
from iac.importers.aws import describe_aws_error
from tests.iac.importers.moto_server import aws_importer, free_port

EXPECTED_COUNTS = {
    "aws_vpc": 1,
    "aws_subnet": 2,
    "aws_internet_gateway": 1,
    "aws_route_table": 1,
    "aws_route_table_association": 1,
    "aws_security_group": 2,
    "aws_vpc_security_group_ingress_rule": 2,
    "aws_vpc_security_group_egress_rule": 2,
    "aws_instance": 2,
    "aws_ebs_volume": 1,
    "aws_volume_attachment": 1,
    "aws_s3_bucket": 1,
    "aws_db_subnet_group": 1,
    "aws_db_instance": 1,
    "aws_lb": 1,
    "aws_lb_target_group": 1,
    "aws_lb_listener": 1,
    "aws_route53_zone": 1,
    "aws_route53_record": 1,
    "aws_iam_role": 1,
}


def by_type(result, rtype):
    return [r for r in result.resources if r.type == rtype]


def test_registry_exposes_importers():
    assert IMPORTERS["aws"] is AwsImporter
    assert set(IMPORTERS) == {"aws", "tfstate"}


def test_imports_the_whole_estate(imported):
    assert dict(imported.counts()) == EXPECTED_COUNTS
    assert imported.failures == []


def test_defaults_and_root_volumes_are_skipped_with_reasons(imported):
    reasons = {(s.type, s.reason.split(";")[0]) for s in imported.skipped}
    assert ("aws_vpc", "default VPC") in reasons
    assert ("aws_security_group", "default security group") in reasons
    assert ("aws_route53_record", "created with the zone") in reasons
    assert any(t == "aws_ebs_volume" and r.startswith("root volume") for t, r in reasons)


def test_references_point_at_resources_by_type_and_id(imported, estate):
    db = by_type(imported, "aws_db_instance")[0]
    assert db.attributes["engine"] == "postgres"
    assert "password" not in db.attributes
    assert [ref.key for ref in db.attributes["vpc_security_group_ids"]] == [
        ("aws_security_group", estate["sg_db"])
    ]
    assert db.attributes["db_subnet_group_name"].key == ("aws_db_subnet_group", "main-db")
    rule = next(
        r
        for r in by_type(imported, "aws_vpc_security_group_ingress_rule")
        if r.attributes.get("from_port") == 5432
    )
    assert rule.attributes["referenced_security_group_id"].id == estate["sg_web"]
    listener = by_type(imported, "aws_lb_listener")[0]
    action = listener.attributes["default_action"][0]
    assert action["target_group_arn"].key == ("aws_lb_target_group", estate["target_group"])


def test_only_written_arguments_are_kept(imported):
    vpc = by_type(imported, "aws_vpc")[0]
    # Defaults (tenancy, DNS support) and computed values (ARN, owner) are left out.
    assert set(vpc.attributes) == {"cidr_block", "tags"}
    egress = by_type(imported, "aws_vpc_security_group_egress_rule")[0]
    assert egress.attributes["ip_protocol"] == "-1"
    assert "from_port" not in egress.attributes


def test_global_services_are_read_once_across_regions(moto, estate):
    progress = []
    result = run_import(aws_importer(moto, ("us-east-1", "eu-west-1")), progress=progress.append)
    counts = result.counts()
    assert counts["aws_vpc"] == 2
    assert counts["aws_subnet"] == 3
    assert counts["aws_iam_role"] == 1
    assert counts["aws_s3_bucket"] == 1
    eu = [r for r in result.resources if r.region == "eu-west-1"]
    assert {r.id for r in eu} == {estate["eu"]["vpc"], estate["eu"]["subnet"]}
    done = [(p.type, p.region) for p in progress if p.done]
    assert ("aws_vpc", "eu-west-1") in done
    assert ("aws_iam_role", None) in done
    assert ("aws_iam_role", "eu-west-1") not in done
    found = [p.found for p in progress if p.type == "aws_subnet" and p.region == "us-east-1"]
    assert found == [1, 2, 2]  # as it goes, then the final count


def test_type_filters(moto, estate):
    only = ImportFilter.parse(include=["aws_vpc", "aws_subnet"])
    assert set(run_import(aws_importer(moto), only).counts()) == {"aws_vpc", "aws_subnet"}
    without = ImportFilter.parse(exclude=["aws_iam_role"])
    assert "aws_iam_role" not in run_import(aws_importer(moto), without).counts()


def test_tag_filter_keeps_children_of_kept_parents(moto, estate):
    result = run_import(aws_importer(moto), ImportFilter.parse(tags=["team=web"]))
    counts = result.counts()
    assert counts["aws_vpc"] == 1
    # Rules carry no tags: they follow their security group.
    assert counts["aws_vpc_security_group_ingress_rule"] == 2
    assert counts["aws_volume_attachment"] == 1
    # The target group and the zone have no `team` tag, nor their listener and records.
    assert "aws_lb_target_group" not in counts
    assert "aws_route53_record" not in counts
    assert run_import(aws_importer(moto), ImportFilter.parse(tags=["team=none"])).resources == []


def test_unknown_filter_type_is_refused_with_the_known_ones(moto):
    with pytest.raises(ImporterError) as error:
        run_import(aws_importer(moto), ImportFilter.parse(include=["aws_vpcs"]))
    assert "aws_vpcs" in str(error.value)
    assert "aws_vpc, aws_subnet" in str(error.value)
    with pytest.raises(ImporterError, match="key=value"):
        ImportFilter.parse(tags=["team"])


def test_a_failing_type_is_reported_and_the_rest_goes_on(moto, estate):
    class BrokenRds(AwsImporter):
        def discover_db_instance(self, region):
            error = {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}
            raise ClientError(error, "DescribeDBInstances")

    importer = aws_importer(moto)
    importer.__class__ = BrokenRds
    result = run_import(importer)
    assert [(f.type, f.region) for f in result.failures] == [("aws_db_instance", "us-east-1")]
    assert "may not call DescribeDBInstances (AccessDenied)" in result.failures[0].message
    assert result.counts()["aws_vpc"] == 1
    assert "aws_db_instance" not in result.counts()


def test_unreachable_endpoint_names_the_endpoint():
    url = f"http://127.0.0.1:{free_port()}"
    importer = AwsImporter(
        ["us-east-1"], endpoint_url=url, access_key_id="a", secret_access_key="b"
    )
    with pytest.raises(ImporterError, match=re.escape(f"cannot reach {url}")):
        run_import(importer)


@pytest.mark.parametrize(
    "code", ["AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException"]
)
def test_rejected_credentials_are_named(code):
    error = ClientError({"Error": {"Code": code, "Message": "bad key"}}, "GetCallerIdentity")
    message = describe_aws_error(error)
    assert message == f"AWS rejected the credentials ({code}) on GetCallerIdentity: bad key"


def test_moto_error_response_is_mapped(moto):
    s3 = moto.client("s3")
    with pytest.raises(ClientError) as error:
        s3.get_bucket_tagging(Bucket="no-such-bucket")
    assert describe_aws_error(error.value) == (
        "GetBucketTagging failed (NoSuchBucket): The specified bucket does not exist"
    )
    unreachable = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    assert describe_aws_error(unreachable).startswith("cannot reach the AWS endpoint")


def test_regions_are_required():
    with pytest.raises(ImporterError, match="region"):
        AwsImporter([])
