"""Import live AWS resources through boto3, several regions in one go.

Each discover_* method reads one resource type with the AWS API, translates the answer
into Terraform argument names, and lets `catalog.shape` keep what a person writes. Global
services (IAM, Route 53, the S3 bucket list) are read once, whatever the regions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

from iac.importers import catalog
from iac.importers.base import Importer, ImporterError, Resource, Skipped

AUTH_ERROR_CODES = frozenset(
    {
        "AuthFailure",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
GLOBAL_TYPES = frozenset(
    {"aws_s3_bucket", "aws_route53_zone", "aws_route53_record", "aws_iam_role"}
)
_RETRIES = Config(retries={"max_attempts": 10, "mode": "adaptive"}, connect_timeout=5)
# The credential check fails fast: retrying a refused connection only delays the message.
_NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5)
_DEFAULTS = "AWS creates it with every VPC; manage it with aws_default_* resources if needed"


def describe_aws_error(exc: Exception, endpoint_url: str | None = None) -> str:
    """A sentence naming what went wrong: the endpoint, the credentials, or the call."""
    where = endpoint_url or "the AWS endpoint"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return f"cannot reach {where}: {exc}"
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials: give an access key and secret, or a profile"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        message = error.get("Message", "")
        operation = exc.operation_name
        if code in AUTH_ERROR_CODES:
            return f"AWS rejected the credentials ({code}) on {operation}: {message}"
        if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
            return f"the credentials may not call {operation} ({code}): {message}"
        return f"{operation} failed ({code}): {message}"
    return f"{type(exc).__name__}: {exc}"


def _tags(items: list[dict] | None) -> dict[str, str]:
    # `aws:` tags belong to AWS (CloudFormation, autoscaling): Terraform cannot set them.
    return {
        item["Key"]: item.get("Value", "")
        for item in items or []
        if not item["Key"].startswith("aws:")
    }


def _name(tags: dict[str, str], fallback: str) -> str:
    return tags.get("Name") or fallback


class AwsImporter(Importer):
    name = "aws"
    resource_types: ClassVar[tuple[str, ...]] = (
        "aws_vpc",
        "aws_subnet",
        "aws_internet_gateway",
        "aws_route_table",
        "aws_route_table_association",
        "aws_security_group",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_instance",
        "aws_ebs_volume",
        "aws_volume_attachment",
        "aws_s3_bucket",
        "aws_db_subnet_group",
        "aws_db_instance",
        "aws_lb",
        "aws_lb_target_group",
        "aws_lb_listener",
        "aws_route53_zone",
        "aws_route53_record",
        "aws_iam_role",
    )

    def __init__(
        self,
        regions: Sequence[str],
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        include_defaults: bool = False,
    ):
        if not regions:
            raise ImporterError("regions: give at least one AWS region")
        self._regions = list(dict.fromkeys(regions))
        self.endpoint_url = endpoint_url
        self.include_defaults = include_defaults
        self._session = boto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token,
            profile_name=profile,
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._listings: dict[tuple, list] = {}

    # -- Importer hooks -----------------------------------------------------------------

    def regions(self) -> list[str]:
        return list(self._regions)

    def scopes(self, resource_type: str) -> Sequence[str | None]:
        return [None] if resource_type in GLOBAL_TYPES else self._regions

    def check(self) -> None:
        sts = self._session.client(
            "sts",
            region_name=self._regions[0],
            endpoint_url=self.endpoint_url,
            config=_NO_RETRIES,
        )
        try:
            sts.get_caller_identity()
        except Exception as exc:
            raise ImporterError(describe_aws_error(exc, self.endpoint_url)) from exc

    def describe_error(self, exc: Exception) -> str:
        return describe_aws_error(exc, self.endpoint_url)

    def notes(self) -> list[str]:
        return [
            "RDS master passwords cannot be read back: add `password` (or "
            "`manage_master_user_password = true`) before replacing a database.",
            "Instance root volumes are part of aws_instance (root_block_device), so they "
            "are not imported as separate volumes.",
        ]

    def discover(self, resource_type: str, region: str | None) -> Iterator[Resource | Skipped]:
        method = getattr(self, "discover_" + resource_type.removeprefix("aws_"))
        return method(region)

    # -- helpers ------------------------------------------------------------------------

    def client(self, service: str, region: str | None):
        region = region or self._regions[0]
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, config=_RETRIES
            )
        return self._clients[key]

    def _pages(self, service: str, region: str | None, operation: str, key: str, **kwargs):
        """Every item of a paginated listing. Listings are kept for the importer's life:
        several types read the same one (instances for root volumes, groups for rules),
        and one snapshot keeps those types consistent with each other."""
        cache_key = (service, region, operation, key, repr(sorted(kwargs.items())))
        if cache_key not in self._listings:
            paginator = self.client(service, region).get_paginator(operation)
            self._listings[cache_key] = [
                item for page in paginator.paginate(**kwargs) for item in page.get(key, [])
            ]
        return self._listings[cache_key]

    def _resource(self, rtype, raw, name_hint, region, parent=None) -> Resource:
        return Resource(
            type=rtype,
            id=catalog.import_id(rtype, raw),
            name_hint=name_hint,
            region=region,
            attributes=catalog.shape(rtype, raw),
            parent=parent,
        )

    def _default_vpcs(self, region: str) -> set[str]:
        if self.include_defaults:
            return set()
        vpcs = self._pages(
            "ec2",
            region,
            "describe_vpcs",
            "Vpcs",
            Filters=[{"Name": "is-default", "Values": ["true"]}],
        )
        return {vpc["VpcId"] for vpc in vpcs}

    # -- network ------------------------------------------------------------------------

    def discover_vpc(self, region):
        for vpc in self._pages("ec2", region, "describe_vpcs", "Vpcs"):
            if vpc.get("IsDefault") and not self.include_defaults:
                yield Skipped("aws_vpc", vpc["VpcId"], "default VPC; " + _DEFAULTS)
                continue
            ec2 = self.client("ec2", region)
            support = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsSupport")
            hostnames = ec2.describe_vpc_attribute(
                VpcId=vpc["VpcId"], Attribute="enableDnsHostnames"
            )
            tags = _tags(vpc.get("Tags"))
            raw = {
                "id": vpc["VpcId"],
                "cidr_block": vpc["CidrBlock"],
                "instance_tenancy": vpc.get("InstanceTenancy"),
                "enable_dns_support": support["EnableDnsSupport"]["Value"],
                "enable_dns_hostnames": hostnames["EnableDnsHostnames"]["Value"],
                "tags": tags,
            }
            yield self._resource("aws_vpc", raw, _name(tags, vpc["VpcId"]), region)

    def discover_subnet(self, region):
        defaults = self._default_vpcs(region)
        for subnet in self._pages("ec2", region, "describe_subnets", "Subnets"):
            if subnet["VpcId"] in defaults:
                yield Skipped("aws_subnet", subnet["SubnetId"], "in the default VPC")
                continue
            tags = _tags(subnet.get("Tags"))
            raw = {
                "id": subnet["SubnetId"],
                "vpc_id": subnet["VpcId"],
                "cidr_block": subnet["CidrBlock"],
                "availability_zone": subnet["AvailabilityZone"],
                "map_public_ip_on_launch": subnet.get("MapPublicIpOnLaunch"),
                "tags": tags,
            }
            yield self._resource("aws_subnet", raw, _name(tags, subnet["SubnetId"]), region)

    def discover_internet_gateway(self, region):
        defaults = self._default_vpcs(region)
        for igw in self._pages("ec2", region, "describe_internet_gateways", "InternetGateways"):
            vpc_ids = [a["VpcId"] for a in igw.get("Attachments", [])]
            gid = igw["InternetGatewayId"]
            if defaults.intersection(vpc_ids):
                yield Skipped("aws_internet_gateway", gid, "attached to the default VPC")
                continue
            tags = _tags(igw.get("Tags"))
            raw = {"id": gid, "vpc_id": vpc_ids[0] if vpc_ids else None, "tags": tags}
            yield self._resource("aws_internet_gateway", raw, _name(tags, gid), region)

    def _route_tables(self, region):
        defaults = self._default_vpcs(region)
        for table in self._pages("ec2", region, "describe_route_tables", "RouteTables"):
            associations = table.get("Associations", [])
            if table["VpcId"] in defaults:
                reason = "in the default VPC"
            elif any(a.get("Main") for a in associations) and not self.include_defaults:
                reason = "main route table; " + _DEFAULTS
            else:
                reason = None
            yield table, reason

    def discover_route_table(self, region):
        for table, reason in self._route_tables(region):
            rid = table["RouteTableId"]
            if reason:
                yield Skipped("aws_route_table", rid, reason)
                continue
            routes = [
                {
                    "cidr_block": route.get("DestinationCidrBlock"),
                    "ipv6_cidr_block": route.get("DestinationIpv6CidrBlock"),
                    "gateway_id": route.get("GatewayId"),
                    "nat_gateway_id": route.get("NatGatewayId"),
                    "network_interface_id": route.get("NetworkInterfaceId"),
                    "transit_gateway_id": route.get("TransitGatewayId"),
                    "vpc_peering_connection_id": route.get("VpcPeeringConnectionId"),
                }
                for route in table.get("Routes", [])
                # The local route comes with the VPC; Terraform refuses to manage it.
                if route.get("GatewayId") != "local"
                and route.get("Origin") != "EnableVgwRoutePropagation"
            ]
            tags = _tags(table.get("Tags"))
            raw = {"id": rid, "vpc_id": table["VpcId"], "route": routes, "tags": tags}
            yield self._resource("aws_route_table", raw, _name(tags, rid), region)

    def discover_route_table_association(self, region):
        subnets = {
            subnet["SubnetId"]: _name(_tags(subnet.get("Tags")), subnet["SubnetId"])
            for subnet in self._pages("ec2", region, "describe_subnets", "Subnets")
        }
        for table, reason in self._route_tables(region):
            table_name = _name(_tags(table.get("Tags")), table["RouteTableId"])
            for assoc in table.get("Associations", []):
                if not assoc.get("SubnetId"):
                    continue  # the main association has no subnet and no resource of its own
                raw = {"subnet_id": assoc["SubnetId"], "route_table_id": table["RouteTableId"]}
                rtype = "aws_route_table_association"
                if reason:
                    yield Skipped(rtype, catalog.import_id(rtype, raw), reason)
                    continue
                parent = ("aws_route_table", table["RouteTableId"])
                hint = f"{subnets.get(assoc['SubnetId'], assoc['SubnetId'])}_{table_name}"
                yield self._resource(rtype, raw, hint, region, parent)

    def _security_groups(self, region):
        defaults = self._default_vpcs(region)
        for group in self._pages("ec2", region, "describe_security_groups", "SecurityGroups"):
            if group.get("VpcId") in defaults:
                reason = "in the default VPC"
            elif group["GroupName"] == "default" and not self.include_defaults:
                reason = "default security group; " + _DEFAULTS
            else:
                reason = None
            yield group, reason

    def discover_security_group(self, region):
        for group, reason in self._security_groups(region):
            gid = group["GroupId"]
            if reason:
                yield Skipped("aws_security_group", gid, reason)
                continue
            tags = _tags(group.get("Tags"))
            raw = {
                "id": gid,
                "name": group["GroupName"],
                "description": group.get("Description"),
                "vpc_id": group.get("VpcId"),
                "tags": tags,
            }
            yield self._resource("aws_security_group", raw, _name(tags, group["GroupName"]), region)

    def _rules(self, region, egress: bool):
        rtype = (
            "aws_vpc_security_group_egress_rule"
            if egress
            else "aws_vpc_security_group_ingress_rule"
        )
        groups = {
            group["GroupId"]: (group, reason) for group, reason in self._security_groups(region)
        }
        for rule in self._pages(
            "ec2", region, "describe_security_group_rules", "SecurityGroupRules"
        ):
            if rule["IsEgress"] != egress:
                continue
            group, reason = groups.get(rule["GroupId"], (None, "security group not found"))
            if reason:
                yield Skipped(rtype, rule["SecurityGroupRuleId"], reason)
                continue
            protocol = rule["IpProtocol"]
            all_ports = protocol == "-1" or rule.get("FromPort") in (None, -1)
            tags = _tags(rule.get("Tags"))
            raw = {
                "id": rule["SecurityGroupRuleId"],
                "security_group_id": rule["GroupId"],
                "description": rule.get("Description"),
                "ip_protocol": protocol,
                # Terraform rejects ports on "all protocols" rules.
                "from_port": None if all_ports else rule.get("FromPort"),
                "to_port": None if all_ports else rule.get("ToPort"),
                "cidr_ipv4": rule.get("CidrIpv4"),
                "cidr_ipv6": rule.get("CidrIpv6"),
                "prefix_list_id": rule.get("PrefixListId"),
                "referenced_security_group_id": rule.get("ReferencedGroupInfo", {}).get("GroupId"),
                "tags": tags,
            }
            port = "all" if all_ports else str(rule["FromPort"])
            if not all_ports and rule["ToPort"] != rule["FromPort"]:
                port += f"_{rule['ToPort']}"
            hint = f"{_name(_tags(group.get('Tags')), group['GroupName'])}_{port}"
            parent = ("aws_security_group", rule["GroupId"])
            yield self._resource(rtype, raw, tags.get("Name") or hint, region, parent)

    def discover_vpc_security_group_ingress_rule(self, region):
        return self._rules(region, egress=False)

    def discover_vpc_security_group_egress_rule(self, region):
        return self._rules(region, egress=True)

    # -- compute and storage ------------------------------------------------------------

    def _instances(self, region):
        for reservation in self._pages("ec2", region, "describe_instances", "Reservations"):
            for instance in reservation["Instances"]:
                if instance["State"]["Name"] not in ("terminated", "shutting-down"):
                    yield instance

    def discover_instance(self, region):
        for instance in self._instances(region):
            iid = instance["InstanceId"]
            tags = _tags(instance.get("Tags"))
            profile = instance.get("IamInstanceProfile", {}).get("Arn", "")
            raw = {
                "id": iid,
                "ami": instance["ImageId"],
                "instance_type": instance["InstanceType"],
                "subnet_id": instance.get("SubnetId"),
                "vpc_security_group_ids": sorted(
                    group["GroupId"] for group in instance.get("SecurityGroups", [])
                ),
                "key_name": instance.get("KeyName"),
                "iam_instance_profile": profile.rsplit("/", 1)[-1] or None,
                "monitoring": instance.get("Monitoring", {}).get("State") == "enabled",
                "ebs_optimized": instance.get("EbsOptimized"),
                "tags": tags,
            }
            yield self._resource("aws_instance", raw, _name(tags, iid), region)

    def _root_volumes(self, region) -> dict[str, str]:
        roots = {}
        for instance in self._instances(region):
            for mapping in instance.get("BlockDeviceMappings", []):
                if mapping["DeviceName"] == instance.get("RootDeviceName"):
                    roots[mapping["Ebs"]["VolumeId"]] = instance["InstanceId"]
        return roots

    def discover_ebs_volume(self, region):
        roots = self._root_volumes(region)
        for volume in self._pages("ec2", region, "describe_volumes", "Volumes"):
            vid = volume["VolumeId"]
            if vid in roots:
                yield Skipped("aws_ebs_volume", vid, f"root volume of {roots[vid]}")
                continue
            tags = _tags(volume.get("Tags"))
            raw = {
                "id": vid,
                "availability_zone": volume["AvailabilityZone"],
                "size": volume.get("Size"),
                "type": volume.get("VolumeType"),
                "iops": volume.get("Iops"),
                "throughput": volume.get("Throughput"),
                "encrypted": volume.get("Encrypted"),
                "kms_key_id": volume.get("KmsKeyId"),
                "snapshot_id": volume.get("SnapshotId"),
                "tags": tags,
            }
            yield self._resource("aws_ebs_volume", raw, _name(tags, vid), region)

    def discover_volume_attachment(self, region):
        roots = self._root_volumes(region)
        instances = {
            i["InstanceId"]: _name(_tags(i.get("Tags")), i["InstanceId"])
            for i in self._instances(region)
        }
        rtype = "aws_volume_attachment"
        for volume in self._pages("ec2", region, "describe_volumes", "Volumes"):
            for attachment in volume.get("Attachments", []):
                raw = {
                    "device_name": attachment["Device"],
                    "volume_id": volume["VolumeId"],
                    "instance_id": attachment["InstanceId"],
                }
                if volume["VolumeId"] in roots:
                    yield Skipped(rtype, catalog.import_id(rtype, raw), "root volume attachment")
                    continue
                volume_name = _name(_tags(volume.get("Tags")), volume["VolumeId"])
                hint = f"{volume_name}_{instances.get(attachment['InstanceId'], '')}"
                parent = ("aws_ebs_volume", volume["VolumeId"])
                yield self._resource(rtype, raw, hint, region, parent)

    def discover_s3_bucket(self, region):
        s3 = self.client("s3", region)
        for bucket in s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            location = s3.get_bucket_location(Bucket=name).get("LocationConstraint")
            # Buckets in us-east-1 report no constraint; very old EU buckets report "EU".
            bucket_region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
                location, location
            )
            try:
                tag_set = s3.get_bucket_tagging(Bucket=name).get("TagSet", [])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NoSuchTagSet":
                    raise
                tag_set = []
            raw = {"id": name, "bucket": name, "tags": _tags(tag_set)}
            yield self._resource("aws_s3_bucket", raw, name, bucket_region)

    # -- databases ----------------------------------------------------------------------

    def discover_db_subnet_group(self, region):
        rds = self.client("rds", region)
        for group in self._pages("rds", region, "describe_db_subnet_groups", "DBSubnetGroups"):
            name = group["DBSubnetGroupName"]
            if name == "default":
                yield Skipped("aws_db_subnet_group", name, "default DB subnet group")
                continue
            tags = _tags(
                rds.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])["TagList"]
            )
            raw = {
                "name": name,
                "description": group.get("DBSubnetGroupDescription"),
                "subnet_ids": sorted(s["SubnetIdentifier"] for s in group.get("Subnets", [])),
                "tags": tags,
            }
            yield self._resource("aws_db_subnet_group", raw, name, region)

    def discover_db_instance(self, region):
        for db in self._pages("rds", region, "describe_db_instances", "DBInstances"):
            identifier = db["DBInstanceIdentifier"]
            tags = _tags(db.get("TagList"))
            raw = {
                "identifier": identifier,
                "engine": db.get("Engine"),
                "engine_version": db.get("EngineVersion"),
                "instance_class": db.get("DBInstanceClass"),
                "allocated_storage": db.get("AllocatedStorage"),
                "storage_type": db.get("StorageType"),
                "storage_encrypted": db.get("StorageEncrypted"),
                "db_name": db.get("DBName"),
                "username": db.get("MasterUsername"),
                "port": db.get("Endpoint", {}).get("Port") or db.get("DbInstancePort"),
                "multi_az": db.get("MultiAZ"),
                "publicly_accessible": db.get("PubliclyAccessible"),
                "db_subnet_group_name": db.get("DBSubnetGroup", {}).get("DBSubnetGroupName"),
                "vpc_security_group_ids": sorted(
                    g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])
                ),
                "backup_retention_period": db.get("BackupRetentionPeriod"),
                "tags": tags,
            }
            yield self._resource("aws_db_instance", raw, identifier, region)

    # -- load balancing -----------------------------------------------------------------

    def _elb_tags(self, region, arns: list[str]) -> dict[str, dict[str, str]]:
        elbv2 = self.client("elbv2", region)
        tags = {}
        for start in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
            answer = elbv2.describe_tags(ResourceArns=arns[start : start + 20])
            for item in answer["TagDescriptions"]:
                tags[item["ResourceArn"]] = _tags(item.get("Tags"))
        return tags

    def discover_lb(self, region):
        lbs = list(self._pages("elbv2", region, "describe_load_balancers", "LoadBalancers"))
        tags = self._elb_tags(region, [lb["LoadBalancerArn"] for lb in lbs])
        for lb in lbs:
            arn = lb["LoadBalancerArn"]
            raw = {
                "id": arn,
                "name": lb["LoadBalancerName"],
                "internal": lb.get("Scheme") == "internal",
                "load_balancer_type": lb.get("Type"),
                "subnets": sorted(zone["SubnetId"] for zone in lb.get("AvailabilityZones", [])),
                "security_groups": sorted(lb.get("SecurityGroups", [])),
                "tags": tags.get(arn, {}),
            }
            yield self._resource("aws_lb", raw, lb["LoadBalancerName"], region)

    def discover_lb_target_group(self, region):
        groups = list(self._pages("elbv2", region, "describe_target_groups", "TargetGroups"))
        tags = self._elb_tags(region, [group["TargetGroupArn"] for group in groups])
        for group in groups:
            arn = group["TargetGroupArn"]
            raw = {
                "id": arn,
                "name": group["TargetGroupName"],
                "port": group.get("Port"),
                "protocol": group.get("Protocol"),
                "target_type": group.get("TargetType"),
                "vpc_id": group.get("VpcId"),
                "tags": tags.get(arn, {}),
            }
            yield self._resource("aws_lb_target_group", raw, group["TargetGroupName"], region)

    def discover_lb_listener(self, region):
        for lb in self._pages("elbv2", region, "describe_load_balancers", "LoadBalancers"):
            listeners = self._pages(
                "elbv2",
                region,
                "describe_listeners",
                "Listeners",
                LoadBalancerArn=lb["LoadBalancerArn"],
            )
            for listener in listeners:
                actions = [
                    {"type": action["Type"], "target_group_arn": action.get("TargetGroupArn")}
                    for action in sorted(listener.get("DefaultActions", []), key=_action_order)
                ]
                raw = {
                    "id": listener["ListenerArn"],
                    "load_balancer_arn": lb["LoadBalancerArn"],
                    "port": listener.get("Port"),
                    "protocol": listener.get("Protocol"),
                    "default_action": actions,
                }
                hint = f"{lb['LoadBalancerName']}_{listener.get('Port')}"
                parent = ("aws_lb", lb["LoadBalancerArn"])
                yield self._resource("aws_lb_listener", raw, hint, region, parent)

    # -- DNS and IAM (global) -----------------------------------------------------------

    def discover_route53_zone(self, region):
        route53 = self.client("route53", region)
        for zone in self._pages("route53", region, "list_hosted_zones", "HostedZones"):
            zid = zone["Id"].rsplit("/", 1)[-1]
            tags = route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid)
            vpcs = []
            if zone.get("Config", {}).get("PrivateZone"):
                vpcs = [
                    {"vpc_id": vpc["VPCId"], "vpc_region": vpc["VPCRegion"]}
                    for vpc in route53.get_hosted_zone(Id=zid).get("VPCs", [])
                ]
            raw = {
                "zone_id": zid,
                "name": zone["Name"].rstrip("."),
                "comment": zone.get("Config", {}).get("Comment"),
                "vpc": vpcs,
                "tags": _tags(tags.get("ResourceTagSet", {}).get("Tags")),
            }
            yield self._resource("aws_route53_zone", raw, raw["name"], region)

    def discover_route53_record(self, region):
        rtype = "aws_route53_record"
        for zone in self._pages("route53", region, "list_hosted_zones", "HostedZones"):
            zid = zone["Id"].rsplit("/", 1)[-1]
            records = self._pages(
                "route53",
                region,
                "list_resource_record_sets",
                "ResourceRecordSets",
                HostedZoneId=zid,
            )
            for record in records:
                name = record["Name"].rstrip(".")
                raw = {
                    "zone_id": zid,
                    "name": name,
                    "type": record["Type"],
                    "ttl": record.get("TTL"),
                    "records": [r["Value"] for r in record.get("ResourceRecords", [])],
                    "set_identifier": record.get("SetIdentifier"),
                    "alias": _alias(record.get("AliasTarget")),
                }
                if record["Type"] in ("SOA", "NS") and record["Name"] == zone["Name"]:
                    yield Skipped(rtype, catalog.import_id(rtype, raw), "created with the zone")
                    continue
                hint = f"{name}_{record['Type']}".lower()
                parent = ("aws_route53_zone", zid)
                yield self._resource(rtype, raw, hint, None, parent)

    def discover_iam_role(self, region):
        iam = self.client("iam", region)
        for role in self._pages("iam", region, "list_roles", "Roles"):
            name = role["RoleName"]
            if role.get("Path", "").startswith("/aws-service-role/"):
                yield Skipped("aws_iam_role", name, "service-linked role, owned by AWS")
                continue
            raw = {
                "name": name,
                "path": role.get("Path"),
                "description": role.get("Description"),
                "assume_role_policy": role.get("AssumeRolePolicyDocument"),
                "max_session_duration": role.get("MaxSessionDuration"),
                "tags": _tags(iam.list_role_tags(RoleName=name).get("Tags")),
            }
            yield self._resource("aws_iam_role", raw, name, region)


def _action_order(action: dict) -> int:
    return action.get("Order", 0)


def _alias(target: dict | None) -> list[dict]:
    if not target:
        return []
    return [
        {
            "name": target["DNSName"].rstrip("."),
            "zone_id": target["HostedZoneId"],
            "evaluate_target_health": target.get("EvaluateTargetHealth", False),
        }
    ]
