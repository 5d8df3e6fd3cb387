"""Training the Letter Scanner model: data sources, the CNN, the training and evaluation CLIs."""
