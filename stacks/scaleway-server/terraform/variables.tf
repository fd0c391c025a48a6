variable "name" {
  description = "Name of the server and prefix of its resources (the deployment's name)."
  type        = string
}

variable "zone" {
  type    = string
  default = "fr-par-1"
}

variable "server_type" {
  type    = string
  default = "DEV1-S"
}

variable "data_volume_gb" {
  type    = number
  default = 20
}

variable "ssh_cidrs" {
  type    = list(string)
  default = []
}
