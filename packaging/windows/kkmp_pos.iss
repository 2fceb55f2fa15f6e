; Inno Setup 6 script: the KKMP POS till installer for Windows (x64).
; First build the one-folder bundle ON WINDOWS:   py packaging\build_bundle.py      -> dist\kkmp-pos\
; then compile this script:                       iscc packaging\windows\kkmp_pos.iss -> dist\kkmp-pos-setup-<version>.exe
; (another version: iscc /DAppVersion=0.2.0 packaging\windows\kkmp_pos.iss)
;
; Programs go to {autopf}\KKMP POS (Program Files, or the user's own Programs folder when installed without
; administrator rights). The outlet's data is NOT here: the till keeps it in %LOCALAPPDATA%\kkmp-pos
; (kkmp_pos/paths.py, platformdirs), which this installer never creates, replaces or deletes - not even on
; uninstall. A newer version installed over an older one opens that same data folder, copies the database to
; %LOCALAPPDATA%\kkmp-pos\backups before changing its schema, and carries on.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "KKMP POS"
#define AppExe "kkmp-pos.exe"
#define Bundle "..\..\dist\kkmp-pos"

[Setup]
; Never change AppId: Windows recognises upgrades and the uninstaller by it.
AppId={{6F0C5D0E-2B7A-4C1E-9C55-4B4D4D50A501}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Koperasi Kelurahan Merah Putih
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=kkmp-pos-setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\kkmp-pos.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; An open till holds the database: ask to close it before files are replaced.
CloseApplications=yes
ShowLanguageDialog=auto

[Languages]
; Inno Setup ships no Indonesian translation: our own Indonesian.isl overrides the English defaults.
Name: "id"; MessagesFile: "compiler:Default.isl,Indonesian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
id.CreateDesktopIcon=Buat ikon di &desktop
id.AdditionalIcons=Ikon tambahan:
id.LaunchProgram=Jalankan %1
id.DemoShortcut=%1 (gerai demo)
en.DemoShortcut=%1 (demo outlet)

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole program folder: no file of the older version is left behind to be loaded.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{cm:DemoShortcut,{#AppName}}"; Filename: "{app}\{#AppExe}"; Parameters: "--demo --data-dir ""{localappdata}\kkmp-pos-demo"""
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the outlet's data (%LOCALAPPDATA%\kkmp-pos) and its backups stay after uninstalling.
