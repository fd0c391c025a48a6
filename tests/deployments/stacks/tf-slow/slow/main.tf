variable "seconds" {
  type = number
}

resource "terraform_data" "slow" {
  triggers_replace = var.seconds

  provisioner "local-exec" {
    command = "sleep ${var.seconds}"
  }
}
