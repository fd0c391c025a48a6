terraform {
  required_version = ">= 1.5"
  required_providers {
    scaleway = {
      source  = "scaleway/scaleway"
      version = "~> 2.40"
    }
  }
}

provider "scaleway" {
  zone = var.zone
}

resource "scaleway_instance_ip" "public" {}

resource "scaleway_instance_security_group" "web" {
  name                    = "${var.name}-web"
  inbound_default_policy  = "drop"
  outbound_default_policy = "accept"

  inbound_rule {
    action   = "accept"
    port     = 80
    ip_range = "0.0.0.0/0"
  }

  inbound_rule {
    action   = "accept"
    port     = 443
    ip_range = "0.0.0.0/0"
  }

  dynamic "inbound_rule" {
    for_each = var.ssh_cidrs
    content {
      action   = "accept"
      port     = 22
      ip_range = inbound_rule.value
    }
  }
}

resource "scaleway_block_volume" "data" {
  name       = "${var.name}-data"
  size_in_gb = var.data_volume_gb
  iops       = 5000
}

resource "scaleway_instance_server" "web" {
  name              = var.name
  type              = var.server_type
  image             = "debian_bookworm"
  ip_id             = scaleway_instance_ip.public.id
  security_group_id = scaleway_instance_security_group.web.id
  additional_volume_ids = [scaleway_block_volume.data.id]
  tags              = ["plateau", var.name]
}
