import dbus from 'dbus-next';
export const x: dbus.MessageBus = dbus.systemBus();
export const I = dbus.interface.Interface;
