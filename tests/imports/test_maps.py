"""The map is drawn from names that come from the cloud: none of them can inject markup."""

import xml.etree.ElementTree as ET

from iac.graph import build_graph, to_mermaid, to_svg
from iac.importers import Ref, Resource
from portal.imports.maps import graph_from_data, graph_to_data
from tests.factories import ImportJobFactory

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>#quot;'


def hostile_estate() -> list[Resource]:
    group = Resource("aws_security_group", "sg-1", "web", "eu-west-1", {})
    rule = Resource(
        "aws_vpc_security_group_ingress_rule",
        "sgr-1",
        "r",
        "eu-west-1",
        {
            "security_group_id": Ref("aws_security_group", "sg-1"),
            "cidr_ipv4": "0.0.0.0/0",
            "from_port": 443,
            "to_port": 443,
            "ip_protocol": "tcp",
        },
    )
    vpc = Resource("aws_vpc", "vpc-1", HOSTILE, "eu-west-1", {"cidr_block": "10.0.0.0/16"})
    subnet = Resource(
        "aws_subnet", "subnet-1", HOSTILE, "eu-west-1", {"vpc_id": Ref("aws_vpc", "vpc-1")}
    )
    instance = Resource(
        "aws_instance",
        "i-1",
        HOSTILE,
        "eu-west-1",
        {
            "subnet_id": Ref("aws_subnet", "subnet-1"),
            "vpc_security_group_ids": [Ref("aws_security_group", "sg-1")],
        },
    )
    return [group, rule, vpc, subnet, instance]


def test_svg_escapes_every_name():
    svg = to_svg(build_graph(hostile_estate()))
    root = ET.fromstring(svg)  # well-formed: nothing broke out of a text node
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert tags <= {"svg", "defs", "marker", "path", "g", "rect", "text"}
    assert "<script" not in svg and "<img" not in svg
    texts = [element.text for element in root.iter() if element.text]
    assert any(text.startswith("<script>") for text in texts)  # shown as text


def test_mermaid_labels_cannot_open_tags_or_close_the_string():
    mermaid = to_mermaid(build_graph(hostile_estate()))
    assert "<script" not in mermaid and "<img" not in mermaid
    assert "#lt;script#gt;" in mermaid
    assert '"x"' not in mermaid and "#35;quot;" in mermaid


def test_the_job_page_inlines_the_escaped_map(client, people, project):
    graph = build_graph(hostile_estate())
    assert graph_from_data(graph_to_data(graph)) == graph
    job = ImportJobFactory(
        project=project, status="succeeded", counts={"aws_instance": 1}, graph=graph_to_data(graph)
    )
    client.force_login(people["viewer"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<svg" in page
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
