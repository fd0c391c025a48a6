output "url" {
  value = "http://${aws_lb.web.dns_name}/"
}

output "instance_id" {
  value = aws_instance.web.id
}
