"""The one error the estimator raises for bad input: it names the file and the place."""


class InputError(ValueError):
    def __init__(self, message: str, *, file: str | None = None, line=None, column=None):
        self.message, self.file, self.line, self.column = message, file, line, column
        where = file or "<input>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")
