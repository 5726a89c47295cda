"""Fill in what a payload leaves out: email, names and place. Never rejects."""
