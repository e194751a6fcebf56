"""Golden cases for the ranking losses."""


def cases(gen):
    pass
