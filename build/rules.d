build/rules.o: src/rules.c src/rules.h src/txn.h
src/rules.h:
src/txn.h:
