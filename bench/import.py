"""Import benchmark: fill a moto server (its own process, 127.0.0.1) with about 1,000
resources, import them with the AWS importer, write the Terraform folder, and print
the figures. Run: .venv/bin/python bench/import.py"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from iac.graph import build_graph, from_import_result, to_svg
from iac.hcl import write_terraform
from iac.importers import run_import
from tests.iac.importers.moto_server import MotoServer, aws_importer

REGION = "us-east-1"
VPCS, SUBNETS_PER_VPC, GROUPS_PER_VPC, INSTANCES_PER_SUBNET = 10, 4, 4, 5
VOLUMES, BUCKETS, RECORDS, ROLES = 150, 50, 200, 10


def fill(server: MotoServer) -> None:
    ec2 = server.client("ec2", REGION)
    instances = []
    for v in range(VPCS):
        vpc = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": f"vpc-{v}"}])
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        groups = []
        for g in range(GROUPS_PER_VPC):
            group = ec2.create_security_group(
                GroupName=f"tier-{g}", Description=f"tier {g}", VpcId=vpc
            )["GroupId"]
            source = (
                {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                if g == 0
                else {"UserIdGroupPairs": [{"GroupId": groups[-1]}]}
            )
            for port in (443, 8443):
                ec2.authorize_security_group_ingress(
                    GroupId=group,
                    IpPermissions=[
                        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **source}
                    ],
                )
            groups.append(group)
        for s in range(SUBNETS_PER_VPC):
            subnet = ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.{v}.{s}.0/24", AvailabilityZone=f"{REGION}a"
            )["Subnet"]["SubnetId"]
            if s == 0:
                ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
            launched = ec2.run_instances(
                ImageId="ami-12c6146b",
                MinCount=INSTANCES_PER_SUBNET,
                MaxCount=INSTANCES_PER_SUBNET,
                InstanceType="t3.micro",
                SubnetId=subnet,
                SecurityGroupIds=[groups[s % GROUPS_PER_VPC]],
            )["Instances"]
            instances += [instance["InstanceId"] for instance in launched]
    for n in range(VOLUMES):
        volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=10 + n % 50)["VolumeId"]
        ec2.attach_volume(VolumeId=volume, InstanceId=instances[n], Device="/dev/sdf")
    s3 = server.client("s3", REGION)
    for n in range(BUCKETS):
        s3.create_bucket(Bucket=f"bench-bucket-{n:03d}")
    route53 = server.client("route53", REGION)
    zone = route53.create_hosted_zone(Name="bench.example", CallerReference="bench")
    zone_id = zone["HostedZone"]["Id"]
    for start in range(0, RECORDS, 100):
        changes = [
            {
                "Action": "CREATE",
                "ResourceRecordSet": {
                    "Name": f"host-{n}.bench.example",
                    "Type": "A",
                    "TTL": 300,
                    "ResourceRecords": [{"Value": f"192.0.2.{n % 250 + 1}"}],
                },
            }
            for n in range(start, min(start + 100, RECORDS))
        ]
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
    iam = server.client("iam", REGION)
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    for n in range(ROLES):
        iam.create_role(RoleName=f"bench-role-{n}", AssumeRolePolicyDocument=policy)


def main() -> None:
    server = MotoServer().start()
    try:
        started = time.perf_counter()
        fill(server)
        filled = time.perf_counter() - started

        started = time.perf_counter()
        result = run_import(aws_importer(server, (REGION,)))
        imported = time.perf_counter() - started

        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            files = write_terraform(result, folder)
            written = time.perf_counter() - started
        started = time.perf_counter()
        svg = to_svg(build_graph(from_import_result(result)))
        mapped = time.perf_counter() - started
    finally:
        server.stop()

    count = len(result.resources)
    counts = Counter(resource.type for resource in result.resources)
    print(f"moto filled in {filled:.1f} s")
    skipped, failed = len(result.skipped), len(result.failures)
    print(f"resources imported: {count} ({skipped} skipped, {failed} failed)")
    for rtype, n in sorted(counts.items()):
        print(f"  {rtype:40} {n:5}")
    print(f"import:      {imported:6.2f} s  {count / imported:7.0f} resources/s")
    print(
        f"write HCL:   {written:6.2f} s  {count / written:7.0f} resources/s "
        f"({sum(len(c) for c in files.values()) / 1024:.0f} KiB in {len(files)} files)"
    )
    print(f"map (SVG):   {mapped:6.2f} s  ({len(svg) / 1024:.0f} KiB)")
    total = imported + written
    print(f"total:       {total:6.2f} s  {count / total:7.0f} resources/s")


if __name__ == "__main__":
    main()
