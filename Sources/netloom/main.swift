print("netloom")
