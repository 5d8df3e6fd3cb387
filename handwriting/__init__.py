"""What an EMNIST-style letter image is: shared by training, serving and tests."""
