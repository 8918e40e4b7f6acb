#!/usr/bin/env python
from antt.cli import main

if __name__ == "__main__":
    main()
