"""Golden cases for the regression losses."""


def cases(gen):
    pass
