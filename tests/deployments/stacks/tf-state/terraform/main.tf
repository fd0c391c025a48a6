variable "label" {
  type = string
}

resource "terraform_data" "label" {
  input = var.label
}

output "label_id" {
  value = terraform_data.label.id
}
