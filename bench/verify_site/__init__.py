"""A site for bench/verify_http.py: the platform's production settings plus one bench-only URL (a bare
Django view doing one primary-key lookup), never mounted by the platform itself."""
