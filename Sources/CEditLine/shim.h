// libedit's readline compatibility layer (Debian: libedit-dev), not GNU readline.
#include <stdio.h>
#include <editline/readline.h>
