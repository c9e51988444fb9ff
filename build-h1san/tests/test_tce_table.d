build-h1san/tests/test_tce_table.o: tests/test_tce_table.c \
 include/ddwsim/tce.h include/ddwsim/tce_table.h include/ddwsim/sparse.h
include/ddwsim/tce.h:
include/ddwsim/tce_table.h:
include/ddwsim/sparse.h:
