#!/usr/bin/env python
from dte.cli import main

if __name__ == "__main__":
    main()
