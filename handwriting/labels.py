"""The 26 classes: letters a..z, upper and lower case merged (EMNIST "letters")."""

import string

LETTERS = tuple(string.ascii_lowercase)
NUM_CLASSES = len(LETTERS)
