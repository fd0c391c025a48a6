# Only the built-in provider: this step plans and applies with no download.
variable "app_name" {
  type = string
}

variable "environment" {
  type = string
}

variable "port" {
  type    = number
  default = 8080
}

resource "terraform_data" "app" {
  input = {
    name        = var.app_name
    environment = var.environment
    port        = var.port
  }
}

output "app_id" {
  value = terraform_data.app.id
}

output "config_name" {
  value = "${var.app_name}-${var.environment}"
}

output "port" {
  value = terraform_data.app.output.port
}
