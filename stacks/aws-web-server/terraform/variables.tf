variable "name" {
  description = "Name tag and prefix of every resource (the deployment's name)."
  type        = string
}

variable "region" {
  type = string
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "data_volume_gb" {
  type    = number
  default = 20
  validation {
    condition     = var.data_volume_gb >= 8
    error_message = "The data volume needs at least 8 GB."
  }
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}
