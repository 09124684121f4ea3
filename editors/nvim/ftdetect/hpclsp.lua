-- CUDA and Fortran variants hpclsp serves.
require('hpclsp').add_filetypes()
