from iac.engines.hclscan import Declaration, variable_declarations, variable_references

SOURCE = """\
# var.in_comment
variable "name" {
  type = string
  validation {
    condition     = length(var.name) > 0 // var.in_line_comment
    error_message = "var.in_string"
  }
}
variable "size" { default = 2 }
/* var.in_block
   comment */
locals {
  label   = "${var.name}-$${var.escaped}-${lookup({ k = "v" }, "k")}${var.size}"
  doc     = <<-EOT
    plain var.in_heredoc, interpolated ${var.from_heredoc}
    EOT
  after   = var.after_heredoc
  nested  = module.var.x
}
"""


def test_references_skip_comments_and_literal_text():
    assert variable_references(SOURCE) == [
        ("name", 5),
        ("name", 13),
        ("size", 13),
        ("from_heredoc", 15),
        ("after_heredoc", 17),
    ]


def test_declarations_know_whether_a_default_exists():
    assert variable_declarations(SOURCE) == [
        Declaration("name", 2, has_default=False),
        Declaration("size", 9, has_default=True),
    ]
