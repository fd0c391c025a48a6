output "public_ip" {
  value = scaleway_instance_ip.public.address
}

output "server_id" {
  value = scaleway_instance_server.web.id
}
