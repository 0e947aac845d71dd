## bench/bench.mk — benchmark programs (included by Makefile.am)
