"""A moto server in its own process on 127.0.0.1, and the small estate the importer and
graph tests read. Shared by tests/iac and bench/import.py."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> MotoServer:
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1).close()
                return self
            except OSError as exc:
                if self.process.poll() is not None:
                    code = self.process.returncode
                    raise RuntimeError(f"moto_server exited with {code}") from exc
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url}")

    def reset(self) -> None:
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=5).close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self, service: str, region: str = "us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=self.url, **CREDENTIALS)


def _tags(**pairs: str) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in pairs.items()]


def build_estate(server: MotoServer, region: str = "us-east-1") -> dict[str, str]:
    """A two-tier web estate; returns the ids the tests check against."""
    ec2 = server.client("ec2", region)
    ids: dict[str, str] = {}
    spec = [{"ResourceType": "vpc", "Tags": _tags(Name="main", team="web")}]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]
    ids["vpc"] = vpc
    for key, cidr, zone in (("web_a", "10.0.1.0/24", "a"), ("web_b", "10.0.2.0/24", "b")):
        spec = [{"ResourceType": "subnet", "Tags": _tags(Name=key.replace("_", "-"), team="web")}]
        ids[key] = ec2.create_subnet(
            VpcId=vpc, CidrBlock=cidr, AvailabilityZone=region + zone, TagSpecifications=spec
        )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_tags(Resources=[igw], Tags=_tags(Name="main", team="web"))
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_tags(Resources=[table], Tags=_tags(Name="public", team="web"))
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=ids["web_a"])
    ids["igw"], ids["route_table"] = igw, table

    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="database", VpcId=vpc)["GroupId"]
    ec2.create_tags(Resources=[web, db], Tags=_tags(team="web"))
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": 'HTTPS from "anywhere" ${x}'}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": web}],
            }
        ],
    )
    ids["sg_web"], ids["sg_db"] = web, db

    instances = []
    for name, subnet in (("web-1", "web_a"), ("web-1", "web_b")):  # same Name on purpose
        spec = [{"ResourceType": "instance", "Tags": _tags(Name=name, team="web")}]
        instances.append(
            ec2.run_instances(
                ImageId="ami-12c6146b",
                MinCount=1,
                MaxCount=1,
                InstanceType="t3.micro",
                SubnetId=ids[subnet],
                SecurityGroupIds=[web],
                TagSpecifications=spec,
            )["Instances"][0]["InstanceId"]
        )
    ids["web_1"], ids["web_2"] = instances
    spec = [{"ResourceType": "volume", "Tags": _tags(Name="data", team="web")}]
    volume = ec2.create_volume(
        AvailabilityZone=region + "a", Size=20, VolumeType="gp3", TagSpecifications=spec
    )["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=instances[0], Device="/dev/sdf")
    ids["volume"] = volume

    s3 = server.client("s3", region)
    s3.create_bucket(Bucket="plateau-assets")
    s3.put_bucket_tagging(Bucket="plateau-assets", Tagging={"TagSet": _tags(team="web")})
    ids["bucket"] = "plateau-assets"

    rds = server.client("rds", region)
    rds.create_db_subnet_group(
        DBSubnetGroupName="main-db",
        DBSubnetGroupDescription="database subnets",
        SubnetIds=[ids["web_a"], ids["web_b"]],
        Tags=_tags(team="web"),
    )
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="postgres",
        EngineVersion="16.3",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-secret-1",
        DBSubnetGroupName="main-db",
        VpcSecurityGroupIds=[db],
        Tags=_tags(team="web"),
    )

    elbv2 = server.client("elbv2", region)
    lb = elbv2.create_load_balancer(
        Name="web",
        Subnets=[ids["web_a"], ids["web_b"]],
        SecurityGroups=[web],
        Tags=_tags(team="web"),
    )["LoadBalancers"][0]["LoadBalancerArn"]
    group = elbv2.create_target_group(
        Name="web", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=443,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
    )
    ids["lb"], ids["target_group"] = lb, group

    route53 = server.client("route53", region)
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="plateau-test")
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "www.example.com",
                        "Type": "A",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": "192.0.2.10"}],
                    },
                }
            ]
        },
    )
    ids["zone"] = zone_id

    iam = server.client("iam", region)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(
        RoleName="web-instance",
        AssumeRolePolicyDocument=json.dumps(policy),
        Tags=_tags(team="web"),
    )
    return ids


def build_second_region(server: MotoServer, region: str = "eu-west-1") -> dict[str, str]:
    ec2 = server.client("ec2", region)
    spec = [{"ResourceType": "vpc", "Tags": _tags(Name="main", team="data")}]
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone=region + "a")
    return {"vpc": vpc, "subnet": subnet["Subnet"]["SubnetId"]}


def aws_importer(server: MotoServer, regions=("us-east-1",), **options):
    from iac.importers import AwsImporter

    return AwsImporter(
        list(regions),
        endpoint_url=server.url,
        access_key_id=CREDENTIALS["aws_access_key_id"],
        secret_access_key=CREDENTIALS["aws_secret_access_key"],
        **options,
    )
