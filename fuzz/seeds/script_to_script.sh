#!/usr/bin/ldd --
