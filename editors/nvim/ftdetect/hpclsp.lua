-- CUDA and Fortran variants hpclsp serves.
vim.filetype.add({
  extension = {
    cu = 'cuda',
    cuh = 'cuda',
    f = 'fortran',
    ['for'] = 'fortran',
    f77 = 'fortran',
    f90 = 'fortran',
    F90 = 'fortran',
    f95 = 'fortran',
    F95 = 'fortran',
    f03 = 'fortran',
    f08 = 'fortran',
    F = 'fortran',
    FOR = 'fortran',
    F77 = 'fortran',
    F03 = 'fortran',
    F08 = 'fortran',
  },
})
