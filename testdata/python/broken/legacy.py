# Python 2 code: no Python 3 parser accepts it.
print "hello"
