"""The one error type of level exams: a message for people and a stable code for the API."""


class AssessmentError(Exception):
    def __init__(self, message: str, code: str = "INVALID"):
        super().__init__(message)
        self.message, self.code = message, code
