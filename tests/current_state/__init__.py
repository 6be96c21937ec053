"""Tests of reading the current TAK: TAK-api client, export and HSA readers, snapshot files, fetch."""
