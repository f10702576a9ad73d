"""Code that runs inside the sandbox. It imports nothing from the rest of `autograder`,
so binding this folder alone into the sandbox is enough, and nothing secret comes along."""
