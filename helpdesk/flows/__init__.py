"""The counter's flow, with no Qt and no database: what the next scan or key means given what is on
the counter now. ``facts`` is what a scan names (a student, a device, a loan, a ticket), ``counter``
the state machine that answers with a step to show and an intent to carry out, ``words`` the
sentences it says."""
