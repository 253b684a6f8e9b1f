"""A site for bench/checkin_burst.py: the platform's production settings plus one bench-only URL (a bare
Django view inserting one row), never mounted by the platform itself."""
