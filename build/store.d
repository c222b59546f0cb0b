build/store.o: src/store.c src/store.h src/errbuf.h src/txn.h src/rules.h \
 build/sql_embed.h
src/store.h:
src/errbuf.h:
src/txn.h:
src/rules.h:
build/sql_embed.h:
