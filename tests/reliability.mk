## tests/reliability.mk — sanitizer, fuzz and robustness checks (included by Makefile.am)
