"""Golden cases for the multiclass losses."""


def cases(gen):
    pass
