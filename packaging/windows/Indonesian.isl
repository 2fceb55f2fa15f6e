; Bahasa Indonesia for the KKMP POS installer. Inno Setup ships no Indonesian translation, so kkmp_pos.iss
; loads Default.isl first and this file over it: every message not translated here stays in English.

[LangOptions]
LanguageName=Bahasa Indonesia
LanguageID=$0421
LanguageCodePage=0

[Messages]
SetupAppTitle=Instalasi
SetupWindowTitle=Instalasi - %1
UninstallAppTitle=Hapus Instalasi
UninstallAppFullTitle=Hapus Instalasi %1
ButtonBack=< &Kembali
ButtonNext=&Lanjut >
ButtonInstall=&Pasang
ButtonOK=OK
ButtonCancel=Batal
ButtonYes=&Ya
ButtonYesToAll=Ya untuk &Semua
ButtonNo=&Tidak
ButtonNoToAll=T&idak untuk Semua
ButtonFinish=&Selesai
ButtonBrowse=&Telusuri...
ButtonWizardBrowse=T&elusuri...
ButtonNewFolder=&Buat Folder Baru
SelectLanguageTitle=Pilih Bahasa Instalasi
SelectLanguageLabel=Pilih bahasa yang dipakai selama instalasi.
ExitSetupTitle=Keluar dari Instalasi
ExitSetupMessage=Instalasi belum selesai. Bila keluar sekarang, program tidak terpasang.%n%nAnda dapat menjalankan instalasi lagi kapan saja.%n%nKeluar dari instalasi?
WizardSelectDir=Pilih Folder Tujuan
SelectDirDesc=Di mana [name] akan dipasang?
SelectDirLabel3=Program [name] akan dipasang di folder berikut.
SelectDirBrowseLabel=Klik Lanjut untuk meneruskan. Untuk memilih folder lain, klik Telusuri.
WizardSelectTasks=Pilih Tugas Tambahan
SelectTasksDesc=Tugas tambahan apa yang dijalankan?
SelectTasksLabel2=Pilih tugas tambahan yang dijalankan saat memasang [name], lalu klik Lanjut.
WizardReady=Siap Memasang
ReadyLabel1=[name] siap dipasang di komputer ini.
ReadyLabel2a=Klik Pasang untuk memulai, atau Kembali untuk memeriksa atau mengubah pilihan.
ReadyLabel2b=Klik Pasang untuk memulai.
WizardInstalling=Memasang
InstallingLabel=Tunggu sebentar, [name] sedang dipasang di komputer ini.
FinishedHeadingLabel=Instalasi [name] selesai
FinishedLabelNoIcons=[name] sudah terpasang di komputer ini.
FinishedLabel=[name] sudah terpasang di komputer ini. Jalankan dengan ikon yang telah dibuat.
ClickFinish=Klik Selesai untuk menutup instalasi.
ConfirmUninstall=Hapus %1 dari komputer ini? Data gerai (database, cadangan, kunci) tidak ikut dihapus.
UninstalledAll=%1 sudah dihapus dari komputer ini.
