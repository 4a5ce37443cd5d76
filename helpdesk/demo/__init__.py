"""The demo school: a made-up school of students, laptops, a loan pool and a term of history, built
through the services as staff would build it (a client of the services, never one of them).
``build`` makes it; ``plan`` draws who and what; ``history`` plays the term; ``names`` holds the
names it draws from."""
