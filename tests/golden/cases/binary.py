"""Golden cases for the binary losses."""


def cases(gen):
    pass
