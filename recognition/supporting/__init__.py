"""The supporting-industries programme (Plan 35/KH-UBND): the register of supporting-industry firms and
their certifications, its import, dashboard and public supplier directory, and the selection for
support that ends one of its rounds."""
