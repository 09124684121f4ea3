"""Editor client tests: Neovim, the VS Code extension, code-server."""
