resource "terraform_data" "first" {
  input = "written before the slow step"
}
