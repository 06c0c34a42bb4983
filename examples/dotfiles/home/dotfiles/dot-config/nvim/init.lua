-- ~/.config/nvim/init.lua: the whole ~/.config/nvim folder is one link to
-- ~/dotfiles/nvim.
vim.opt.number = true
vim.opt.expandtab = true
vim.opt.shiftwidth = 2
require("keys")
